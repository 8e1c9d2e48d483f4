// grows the JS heap until V8 aborts (node_args --max-old-space-size=32)
console.log(`heap-hog started, pid=${process.pid}`);
const keep = [];
setInterval(() => { for (let i = 0; i < 20000; i++) keep.push({ i, s: 'x'.repeat(64) + i }); }, 5);
