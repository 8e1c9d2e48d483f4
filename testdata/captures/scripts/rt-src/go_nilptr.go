package main

import "fmt"

type Config struct{ DB *DBConfig }
type DBConfig struct{ Host string }

func dial(c *Config) string { return c.DB.Host }

func main() {
	fmt.Println("starting")
	fmt.Println(dial(&Config{}))
}
