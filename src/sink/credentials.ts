import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Connection } from '@opensearch-project/opensearch';

/**
 * HTTP basic credentials for OpenSearch whose password may live in a file (as ECS secrets and
 * Kubernetes secret volumes provide it). A rotated password is picked up without a restart: the
 * worker's health gate calls {@link reload} while OpenSearch refuses the credentials, and every
 * later request carries the new header.
 */
export class BasicCredentials {
  private value: string;

  private constructor(
    private readonly username: string,
    password: string,
    private readonly passwordFile: string | undefined,
  ) {
    this.value = encode(username, password);
  }

  /** From a password, or from `passwordFile` (read now: a missing file fails at start). */
  static open(username: string, password: string | undefined, passwordFile: string | undefined): BasicCredentials {
    const initial = passwordFile === undefined ? (password ?? '') : passwordOf(passwordFile, readSync(passwordFile));
    return new BasicCredentials(username, initial, passwordFile);
  }

  /** The `Authorization` header value. */
  header(): string {
    return this.value;
  }

  /** Reads the password file again; true when the password changed. A password given inline never changes. */
  async reload(): Promise<boolean> {
    if (this.passwordFile === undefined) return false;
    const text = await readFile(this.passwordFile, 'utf8').catch((err: unknown) => err as Error);
    const next = encode(this.username, passwordOf(this.passwordFile, text));
    if (next === this.value) return false;
    this.value = next;
    return true;
  }

  /** A client Connection class that sends the current header with every request. */
  connectionClass(): typeof Connection {
    const header = () => this.header();
    return class BasicAuthConnection extends Connection {
      override buildRequestObject(params: unknown): ReturnType<Connection['buildRequestObject']> {
        const request = super.buildRequestObject(params);
        request.headers = { ...request.headers, authorization: header() };
        return request;
      }
    };
  }
}

function encode(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

function readSync(file: string): string | Error {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    return err as Error;
  }
}

/** The file's content without the trailing newline editors and `echo` add; never echoed in errors. */
function passwordOf(file: string, text: string | Error): string {
  if (text instanceof Error) {
    throw new Error(`OPENSEARCH_PASSWORD_FILE ${file} cannot be read (${(text as NodeJS.ErrnoException).code ?? text.message})`);
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new Error(`OPENSEARCH_PASSWORD_FILE ${file} is empty`);
  return password;
}
