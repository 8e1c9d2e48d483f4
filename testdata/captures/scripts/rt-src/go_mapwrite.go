package main

import "fmt"

func main() {
	m := map[int]int{}
	done := make(chan bool)
	go func() {
		for i := 0; ; i++ {
			m[i%100] = i
		}
	}()
	fmt.Println("writing from two goroutines")
	for i := 0; ; i++ {
		m[i%100] = -i
	}
	<-done
}
