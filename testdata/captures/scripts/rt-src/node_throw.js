function loadUser(db, id) {
  return db.users[id].profile.name;
}
console.log("handling request");
loadUser({ users: {} }, 42);
