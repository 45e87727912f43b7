import { ApiError } from './client';

interface FieldReason {
  field: string;
  reason: string;
}

/**
 * Which fields a failure names, and why: the API's `details`, the pure libs' validation errors (`errors`),
 * or one `field` and `reason` (a lib's refusal, such as a proposal template's).
 */
function fieldsOf(error: unknown): FieldReason[] {
  if (error instanceof ApiError) return error.details;
  const e = error as { errors?: unknown; field?: unknown; reason?: unknown };
  if (Array.isArray(e.errors)) return e.errors as FieldReason[];
  if (typeof e.field === 'string' && typeof e.reason === 'string') return [{ field: e.field, reason: e.reason }];
  return [];
}

/** A failed call as people should see it: the code, the message, and which field, and why. */
export function ErrorView({ error, title = 'Request failed' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : null;
  const fields = fieldsOf(error);
  return (
    <div role="alert" className="error-box">
      <p>
        <strong>{title}</strong>
        {apiError ? ` (${apiError.status} ${apiError.code})` : ''}: {(error as Error).message}
      </p>
      {fields.length > 0 && (
        <ul>
          {fields.map((d) => (
            <li key={`${d.field}:${d.reason}`}>
              <code>{d.field}</code>: {d.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
