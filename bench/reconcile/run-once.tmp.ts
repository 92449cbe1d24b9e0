import { benchReconcile } from './index.js';
benchReconcile(Number(process.env.ROWS ?? 1000000)).then((s) => console.log(s));
