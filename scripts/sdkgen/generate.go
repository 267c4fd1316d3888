package main

import (
	"fmt"
	"os"
	"path/filepath"

	dotnetgen "github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	nodejsgen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	pythongen "github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// toolName is written into the header of every generated file.
const toolName = "pulumi-rocketmq-sdkgen"

// generators are the SDK generators of the Pulumi code generator that live in the pulumi module,
// called the way the language hosts' GeneratePackage calls them: no overlay files, no local
// dependencies. The nodejs package is generated in the form `pulumi package add` gives it (main
// bin/index.js, compiled by its own postinstall script), so `npm pack` of sdk/nodejs is the
// package as it is published: nothing is copied into it by hand after generation.
var generators = map[string]func(pkg *schema.Package, loader schema.ReferenceLoader) (map[string][]byte, error){
	"nodejs": func(pkg *schema.Package, loader schema.ReferenceLoader) (map[string][]byte, error) {
		return nodejsgen.GeneratePackage(toolName, pkg, nil, nil, true, loader)
	},
	"python": func(pkg *schema.Package, loader schema.ReferenceLoader) (map[string][]byte, error) {
		return pythongen.GeneratePackage(toolName, pkg, nil, loader)
	},
	"go": func(pkg *schema.Package, _ schema.ReferenceLoader) (map[string][]byte, error) {
		return gogen.GeneratePackage(toolName, pkg, nil)
	},
	"dotnet": func(pkg *schema.Package, _ schema.ReferenceLoader) (map[string][]byte, error) {
		return dotnetgen.GeneratePackage(toolName, pkg, nil, nil)
	},
}

// writeSDK replaces dir with exactly the generated files, so a file the generator no longer emits
// does not linger.
func writeSDK(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}
