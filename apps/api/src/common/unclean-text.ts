// The rule of clean text on its own, without class-validator: worker threads (`common/off-loop/`)
// check paths with it and should not load the validators.

export interface CleanTextOptions {
  /** Free prose (a description, a SIWE message): line feeds and tabs are allowed. */
  multiline?: boolean;
}

// Control characters (C0, DEL, C1): PostgreSQL refuses NUL in text, and the rest change how a
// value reads or is logged. Lone surrogates cannot be encoded as UTF-8 (they would be stored as U+FFFD).
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINES = /[^\P{Cc}\n\t]/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** Why `value` is not clean text, or undefined when it is (non-strings are left to the type's own rule). */
export function uncleanTextReason(value: unknown, { multiline = false }: CleanTextOptions = {}): string | undefined {
  if (typeof value !== 'string') return undefined;
  const control = (multiline ? CONTROL_BUT_LINES : CONTROL).exec(value);
  if (control) {
    const code = control[0].codePointAt(0) ?? 0;
    const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
    return `must not contain control characters${multiline ? ' other than line feeds and tabs' : ''} (${name} at ${control.index})`;
  }
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode (it holds an unpaired surrogate)';
  return undefined;
}
