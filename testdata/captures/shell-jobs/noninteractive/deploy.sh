cd /srv/cscap/sh-work
ulimit -c unlimited
echo "step 1"
crashlab segv
echo "step 2 rc=$?"
crashlab abort
echo "step 3 rc=$?"
crashlab kill
echo "step 4 rc=$?"
crashlab fpe
echo "step 5 rc=$?"
crashlab hang &
kill -9 $!
wait $!
echo "step 6 rc=$?"
