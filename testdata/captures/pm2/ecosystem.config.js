module.exports = { apps: [
  { name: 'checkout-api', script: '/srv/cscap/pm2-apps/checkout-api.js', max_restarts: 3, min_uptime: 5000, restart_delay: 200 },
  { name: 'queue-worker', script: '/srv/cscap/pm2-apps/queue-worker.js' },
  { name: 'heap-hog', script: '/srv/cscap/pm2-apps/heap-hog.js', node_args: '--max-old-space-size=32', autorestart: false },
  { name: 'reporter', script: '/srv/cscap/pm2-apps/reporter.js', autorestart: false },
  { name: 'resizer', script: '/srv/cscap/bin/crashlab', args: 'segv', interpreter: 'none', autorestart: false, cwd: '/srv/cscap/pm2-apps' },
]};
