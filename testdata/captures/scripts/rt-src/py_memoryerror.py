# run under `ulimit -v 400000` (KiB): the allocation fails inside CPython -> MemoryError
chunks = []
print("allocating", flush=True)
for i in range(64):
    chunks.append(bytearray(64 * 1024 * 1024))
    print(f"allocated {(i + 1) * 64} MiB", flush=True)
