/** The one error shape every route answers with: `{ statusCode, error, message, details[] }`, plus the code's own fields. */
export interface ApiErrorBody {
  statusCode: number;
  /** The error code, e.g. DATASET_NOT_FOUND. */
  error: string;
  message: string;
  /** Which field, and why. */
  details: { field: string; reason: string }[];
  /** On a 500: the id that is also in the server's log. */
  errorId?: string;
  [meta: string]: unknown;
}
