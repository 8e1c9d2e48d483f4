total 108
drwxr-xr-x 2 root root  4096 Dec  6 03:05 .
drwxr-xr-x 6 root root  4096 Dec  6 03:05 ..
-rw-r----- 1 root root 18164 Dec  6 03:05 core.crashlab.0.2f42f8aaf49f44afbb144eef09c3a3b5.6565.1796526313000000.zst
-rw-r----- 1 root root 18176 Dec  6 03:05 core.crashlab.0.2f42f8aaf49f44afbb144eef09c3a3b5.6574.1796526313000000.zst
-rw-r----- 1 root root 21386 Dec  6 03:05 core.crashlab.0.2f42f8aaf49f44afbb144eef09c3a3b5.6578.1796526313000000.zst
-rw-r----- 1 root root 18137 Dec  6 03:05 core.crashlab.0.2f42f8aaf49f44afbb144eef09c3a3b5.6586.1796526313000000.zst
