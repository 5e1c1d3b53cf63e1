package main

import (
	"flag"
	"fmt"
	"os"

	"simclr-vk/tools/shadergen/shaderspec"
)

func main() {
	dir := flag.String("dir", ".", "directory holding the .comp sources")
	glslc := flag.String("glslc", "glslc", "glslc binary")
	check := flag.Bool("check", false, "only check that every .spv is up to date (no glslc needed)")
	flag.Parse()
	var err error
	if *check {
		err = shaderspec.Check(*dir)
	} else {
		err = shaderspec.Generate(*dir, *glslc)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "shadergen:", err)
		os.Exit(1)
	}
}
