// Runs the built server in a child process so a test can SIGKILL it mid-upload, or see it crash.
// Usage: node child-server.test-util.mjs <data folder> [port] [max request bytes]; prints {"port":N} once listening.
import { createRestServer } from '../dist/index.js';

const maxRequestBytes = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
const server = createRestServer({ path: process.argv[2], noAuth: true, maxRequestBytes });
const info = await server.listen(`127.0.0.1:${process.argv[3] ?? '0'}`);
process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
