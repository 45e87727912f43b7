import type { AppConfig } from '../config/app-config';
import type { Infrastructure } from './infrastructure';

/** Injection token for the resolved configuration and infrastructure of this process. */
export const RUNTIME = Symbol('RUNTIME');

export interface Runtime {
  config: AppConfig;
  infrastructure: Omit<Infrastructure, 'stop' | 'signalChildren'>;
}
