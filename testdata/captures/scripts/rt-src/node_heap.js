console.log("building cache");
const cache = [];
for (let i = 0; ; i++) cache.push({ i, payload: "x".repeat(100) + i });
