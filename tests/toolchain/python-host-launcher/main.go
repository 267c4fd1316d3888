// pulumi-language-python as the engine starts it: runs the python language host built from the
// pulumi sdk (pulumi-language-python-host, beside this binary) with the project's runtime options
// given the way the engines of that host's time gave them, as flags before the engine address:
// `-root=<project dir>` and `-virtualenv=<runtime.options.virtualenv>`. Today's engine sends the
// options over gRPC, which that host does not read, so without this it ignores `virtualenv` and
// runs the first python on PATH. Built by tests/toolchain/pulumi.sh.
package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"gopkg.in/yaml.v3"
)

const hostName = "pulumi-language-python-host"

// The engine looks for these names, in this order, in the program's directory and its parents.
var projectFileNames = []string{"Pulumi.yaml", "Pulumi.yml", "Pulumi.json"}

// Only the options that host defines as flags: it refuses any other flag.
var hostOptions = []string{"virtualenv"}

func main() {
	self, err := os.Executable()
	if err != nil {
		fail(fmt.Errorf("could not find its own path: %w", err))
	}
	host := filepath.Join(filepath.Dir(self), hostName)
	flags, err := projectFlags()
	if err != nil {
		fail(err)
	}
	args := append(append([]string{host}, flags...), os.Args[1:]...)
	fail(syscall.Exec(host, args, os.Environ()))
}

// projectFlags reads the project file that governs the working directory (the engine starts the
// host in the program's directory). No project file: no flags, as the engine passed none.
func projectFlags() ([]string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	path, err := findProjectFile(cwd)
	if err != nil || path == "" {
		return nil, err
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// Only `runtime` is read, so fields this host's release did not know are no obstacle.
	var project struct {
		Runtime yaml.Node `yaml:"runtime"`
	}
	if err := yaml.Unmarshal(text, &project); err != nil {
		return nil, fmt.Errorf("could not read %s: %w", path, err)
	}
	flags := []string{"-root=" + filepath.Dir(path)}
	// `runtime: python` carries no options; `runtime: {name: python, options: {...}}` may.
	if project.Runtime.Kind != yaml.MappingNode {
		return flags, nil
	}
	var runtime struct {
		Options map[string]any `yaml:"options"`
	}
	if err := project.Runtime.Decode(&runtime); err != nil {
		return nil, fmt.Errorf("could not read runtime.options of %s: %w", path, err)
	}
	for _, name := range hostOptions {
		if value, ok := runtime.Options[name]; ok {
			flags = append(flags, fmt.Sprintf("-%s=%v", name, value))
		}
	}
	return flags, nil
}

func findProjectFile(dir string) (string, error) {
	for {
		for _, name := range projectFileNames {
			path := filepath.Join(dir, name)
			info, err := os.Stat(path)
			if err == nil && !info.IsDir() {
				return path, nil
			}
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return "", err
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "pulumi-language-python: %v\n", err)
	os.Exit(1)
}
