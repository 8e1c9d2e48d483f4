package main

import "fmt"

// run under `ulimit -v` so the heap cannot grow: runtime: out of memory
func main() {
	var keep [][]byte
	for i := 1; ; i++ {
		b := make([]byte, 64<<20)
		for j := range b {
			b[j] = byte(j)
		}
		keep = append(keep, b)
		fmt.Printf("allocated %d MiB\n", i*64)
	}
}
