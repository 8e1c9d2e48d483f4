import os, time
print(f"worker pid={os.getpid()} waiting", flush=True)
time.sleep(600)
