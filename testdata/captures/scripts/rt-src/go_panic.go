package main

import "fmt"

func validate(orderID string) {
	if orderID == "" {
		panic(fmt.Sprintf("invalid order id %q", orderID))
	}
}

func main() {
	fmt.Println("processing orders")
	validate("")
}
