// The system of record: PostgreSQL options, migrations, the embedded server
// used on one machine, and checks that tie the database to one deployment.
export * from './embedded-postgres';
export * from './data-source';
export * from './chain-deployment.repository';
export { MIGRATIONS } from './migrations';
