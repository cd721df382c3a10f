import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { SearchRequestError } from '../errors.js';

/** A JSON error body: `{ statusCode, error, message }`. */
function errorBody(statusCode: number, message: string) {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

function statusOf(error: FastifyError | Error): number {
  if (error instanceof SearchRequestError) return error.statusCode;
  const status = (error as FastifyError).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

/**
 * Every error as JSON with its status: a refused search keeps its status, Fastify's own (bad JSON, failed
 * validation, body too large, handler timeout) keep theirs, anything else is a 500 whose details go to
 * `log`, not to the client.
 */
export function answerErrorsAsJson(app: FastifyInstance, timeoutMs: number, log: (message: string) => void): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = statusOf(error);
    let message = error.message;
    if (error.code === 'FST_ERR_HANDLER_TIMEOUT') message = `no answer within ${timeoutMs} ms (the model is busy); try again`;
    else if (status >= 500) {
      log(`clipkit search server: ${request.method} ${request.url}: ${error.stack ?? error.message}`);
      message = 'internal error; the server log has the details';
    }
    void reply.status(status).send(errorBody(status, message));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody(404, `no ${request.method} ${request.url.slice(0, 100)} here: the page is at /, the API under /api (see GET /api/health)`));
  });
}
