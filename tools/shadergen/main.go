package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"simclr-vk/tools/shadergen/shaderspec"
)

func main() {
	dir := flag.String("dir", "", "directory holding the .comp sources (default: . when it has any, else ./shaders)")
	glslc := flag.String("glslc", "glslc", "glslc binary")
	all := flag.Bool("all", false, "recompile every shader, not only the stale ones")
	check := flag.Bool("check", false, "check that every .spv is up to date (hashes; no glslc needed) and, where glslc is installed, that every source compiles (into a temporary directory)")
	list := flag.Bool("list", false, "print the jobs, one a line: spv, source, needed GLSL extensions (comma-separated, - for none) and glslc options, tab-separated; compiles nothing")
	flag.Parse()
	if *dir == "" {
		*dir = "shaders"
		if m, _ := filepath.Glob("*.comp"); len(m) > 0 {
			*dir = "."
		}
	}
	var err error
	if *list {
		err = printJobs(*dir)
	} else if *check {
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

// printJobs writes the -list output (tools/spirvcmp.sh reads it, so that it
// builds every variant with the options shadergen would use).
func printJobs(dir string) error {
	js, _, err := shaderspec.Jobs(dir)
	if err != nil {
		return err
	}
	for _, j := range js {
		needs := strings.Join(j.Needs, ",")
		if needs == "" {
			needs = "-"
		}
		fmt.Printf("%s\t%s\t%s\t%s\n", j.SPV, j.Source, needs, strings.Join(j.Options, "\t"))
	}
	return nil
}
