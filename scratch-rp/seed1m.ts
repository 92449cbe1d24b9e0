import { seedSource } from '../bench/pg-copy/seed.js';
await seedSource(process.argv[2], Number(process.argv[3]));
