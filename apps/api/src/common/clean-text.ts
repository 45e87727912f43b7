import { ValidateBy, type ValidationOptions } from 'class-validator';

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

/**
 * A free-text field (a title, a description, a URI, a label, a path, a query): refuses NUL and
 * other control characters (`multiline` allows `\n` and `\t`) and text that is not valid Unicode,
 * 400 naming the field. Every free-text field of a request DTO carries it.
 */
export function IsCleanText(options: CleanTextOptions = {}, validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCleanText',
      validator: {
        validate: (value) => uncleanTextReason(value, options) === undefined,
        defaultMessage: (args) => `${args?.property ?? 'value'} ${uncleanTextReason(args?.value, options) ?? ''}`,
      },
    },
    validationOptions,
  );
}
