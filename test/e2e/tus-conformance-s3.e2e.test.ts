// tus 1.0 conformance (test/e2e/tus-conformance.suite.ts) with the blobs and resumable uploads in
// an S3 bucket (BLOB_STORE_URL, s3rver on loopback): the same clients, the same checks.
import { S3RVER_CREDENTIALS, startTestS3 } from '../support/s3';
import { describeTusConformance } from './tus-conformance.suite';

describeTusConformance('S3', async () => {
  const s3 = await startTestS3();
  const bucket = await s3.createBucket();
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  // The standard AWS credential chain: the environment of this test process, where the service runs.
  process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
  return {
    env: { BLOB_STORE_URL: `s3://${bucket}/tus`, S3_ENDPOINT: s3.endpoint },
    async stop() {
      await s3.stop();
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    },
  };
});
