import { resolve } from 'node:path';

/** The application the API tests run: the repository's own serverless.yml, as `npm start` runs it. */
export const ROOT = resolve(__dirname, '../../..');

/** The directory to start the local cloud with. */
export function apiAppDir(): string {
  return ROOT;
}
