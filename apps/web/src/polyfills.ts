// Loaded first by every chunk that runs the pure libs: they read the global `Buffer`.
import { Buffer } from 'buffer';

globalThis.Buffer ??= Buffer;
