import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { domainErrorBody } from '../errors/api-exception.filter';
import { requestError } from '../errors/common.errors';

/**
 * Requests Node's HTTP parser refuses before any route sees them (headers past its limit, bytes that
 * are not HTTP) get the one error shape instead of Node's empty 431 or 400. Like Node's own answer,
 * it is written only while no response is under way on the connection, which is then closed.
 */
export function answerClientErrorsInErrorShape(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) socket.write(clientErrorResponse(error.code));
    socket.destroy(error);
  });
}

function clientErrorResponse(code: string | undefined): string {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';
  const overflow = code === 'HPE_HEADER_OVERFLOW';
  const body = domainErrorBody(
    overflow
      ? requestError('HEADERS_TOO_LARGE', 'headers', 'are larger than allowed')
      : requestError('MALFORMED_BODY', 'request', 'is not a valid HTTP/1.1 request'),
  );
  const text = JSON.stringify(body);
  return (
    `HTTP/1.1 ${body.statusCode} ${overflow ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
    `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
    `Connection: close\r\n\r\n${text}`
  );
}
