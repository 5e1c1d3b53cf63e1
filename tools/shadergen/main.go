package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"simclr-vk/tools/shadergen/shaderspec"
)

func main() {
	dir := flag.String("dir", "", "directory holding the .comp sources (default: . when it has any, else ./shaders)")
	glslc := flag.String("glslc", "glslc", "glslc binary")
	all := flag.Bool("all", false, "recompile every shader, not only the stale ones")
	check := flag.Bool("check", false, "check that every .spv is up to date (hashes; no glslc needed) and, where glslc is installed, that every source compiles (into a temporary directory)")
	flag.Parse()
	if *dir == "" {
		*dir = "shaders"
		if m, _ := filepath.Glob("*.comp"); len(m) > 0 {
			*dir = "."
		}
	}
	var err error
	if *check {
		err = shaderspec.Check(*dir)
		if err == nil {
			if _, lerr := exec.LookPath(*glslc); lerr != nil {
				fmt.Fprintf(os.Stderr, "shadergen: %s not found: compile check skipped\n", *glslc)
			} else {
				err = shaderspec.CompileCheck(*dir, *glslc)
			}
		}
	} else {
		err = shaderspec.Generate(*dir, *glslc, *all)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "shadergen:", err)
		os.Exit(1)
	}
}
