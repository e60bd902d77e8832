import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {createServer} from 'node:net';
import {Redis} from 'ioredis';
import {waitUntil} from './wait.js';

/** A free TCP port on 127.0.0.1, as the system hands it out. */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => {
				resolve(typeof address === 'object' && address ? address.port : 0);
			});
		});
	});
}

export type RedisServer = {url: string; port: number; stop(): Promise<void>; start(): Promise<void>};

/**
 * A redis-server of its own for a test, on a free port, writing nothing to disk. Fails clearly when Debian's
 * `redis-server` is not installed (CI installs it: `apt-get install -y redis-server`).
 */
export async function startRedisServer(): Promise<RedisServer> {
	if (spawnSync('redis-server', ['--version']).error) {
		throw new Error('redis-server is not installed: these tests need a real Redis (apt-get install -y redis-server)');
	}

	const port = await freePort();
	const url = `redis://127.0.0.1:${port}/0`;
	let child: ChildProcess | undefined;
	const start = async () => {
		child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {stdio: 'ignore'});
		await waitUntil(`redis-server on port ${port} to answer`, async () => {
			const client = new Redis(url, {lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null});
			client.on('error', () => undefined);
			try {
				await client.connect();
				return (await client.ping()) === 'PONG';
			} catch {
				return false;
			} finally {
				client.disconnect();
			}
		}, {timeoutMs: 10_000, intervalMs: 50});
	};

	const stop = async () => {
		const running = child;
		if (!running || running.exitCode !== null) return;
		const exited = new Promise(resolve => running.once('exit', resolve));
		running.kill('SIGKILL');
		await exited;
	};

	await start();
	return {url, port, start, stop};
}
