import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresOptions } from '@upstream/database';
import { UnitOfWork } from '../../apps/api/src/common/persistence/unit-of-work';
import { WorkerConditionsRepository } from '../../apps/api/src/worker/worker-conditions.repository';
import { createTestDatabase, type TestDatabase } from '../support/database';

const settlement = { name: 'settlement', ok: true, state: 'ok', reason: null, details: {} } as const;

describe('unit of work (real Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let uow: UnitOfWork;
  let conditions: WorkerConditionsRepository;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource(postgresOptions(db.url)).initialize();
    uow = new UnitOfWork(dataSource);
    conditions = new WorkerConditionsRepository(dataSource);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('undoes what a repository bound to the transaction wrote when the work throws', async () => {
    await expect(
      uow.run(async (tx) => {
        await conditions.in(tx).record(settlement);
        expect(await conditions.in(tx).all()).toHaveLength(1); // visible inside the transaction
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect(await conditions.all()).toEqual([]);
  });

  it('commits it when the work succeeds, and leaves the unbound repository on the pool', async () => {
    await uow.run((tx) => conditions.in(tx).record(settlement));
    expect((await conditions.all()).map((c) => c.name)).toEqual(['settlement']);
  });
});
