// throws an uncaught TypeError 600 ms after start -> node exits 1
console.log(`checkout-api listening, pid=${process.pid}`);
setTimeout(() => {
  const cfg = undefined;
  console.log(cfg.database.host);
}, 600);
