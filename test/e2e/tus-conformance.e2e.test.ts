// tus 1.0 conformance (test/e2e/tus-conformance.suite.ts) with the blobs on the local disk.
import { describeTusConformance } from './tus-conformance.suite';

describeTusConformance('local disk');
