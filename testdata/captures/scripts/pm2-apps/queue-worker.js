// runs forever; the lab SIGKILLs it from outside
console.log(`queue-worker started, pid=${process.pid}`);
setInterval(() => {}, 1000);
