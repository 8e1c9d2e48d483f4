async function fetchQuote() {
  throw new Error("upstream returned 503");
}
console.log("fetching");
fetchQuote();
