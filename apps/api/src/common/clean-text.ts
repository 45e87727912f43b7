import { ValidateBy, type ValidationOptions } from 'class-validator';
import { uncleanTextReason, type CleanTextOptions } from './unclean-text';

export { uncleanTextReason, type CleanTextOptions } from './unclean-text';

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
