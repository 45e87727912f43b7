import { ApiError } from './client';

/** A failed call as people should see it: the code, the message, and which field, and why. */
export function ErrorView({ error, title = 'Request failed' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : null;
  return (
    <div role="alert" className="error-box">
      <p>
        <strong>{title}</strong>
        {apiError ? ` (${apiError.status} ${apiError.code})` : ''}: {(error as Error).message}
      </p>
      {apiError && apiError.details.length > 0 && (
        <ul>
          {apiError.details.map((d) => (
            <li key={`${d.field}:${d.reason}`}>
              <code>{d.field}</code>: {d.reason}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
