// Command sdkgen generates the SDKs of the rocketmq package from schema.json with the Pulumi code
// generator (github.com/pulumi/pulumi/pkg/v3/codegen), the same generators `pulumi package gen-sdk`
// reaches through the language hosts, called in-process so no language host plugin is needed.
//
//	sdkgen --schema schema.json --out sdk --language nodejs,python,go,dotnet \
//	       --dependency kubernetes@4.25.0=/path/to/kubernetes/schema.json --logo docs/logo.png
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

type dependencyFlags map[string]pinnedSchema

func (d dependencyFlags) String() string { return fmt.Sprint(len(d), " dependencies") }

func (d dependencyFlags) Set(value string) error {
	name, pinned, err := parseDependency(value)
	if err != nil {
		return err
	}
	d[name] = pinned
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sdkgen:", err)
		os.Exit(1)
	}
}

func run() error {
	schemaPath := flag.String("schema", "schema.json", "the package schema")
	out := flag.String("out", "sdk", "directory that receives one subdirectory per language")
	languages := flag.String("language", "nodejs,python,go,dotnet", "comma-separated languages to generate")
	version := flag.String("version", "", "package version to generate for (default: the schema's version)")
	dependencies := dependencyFlags{}
	flag.Var(dependencies, "dependency", "NAME@VERSION=PATH: schema file of a package the schema refers to (repeatable)")
	logo := flag.String("logo", "", "the file the schema's logoUrl names, read instead of downloading it")
	flag.Parse()

	data, err := os.ReadFile(*schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", *schemaPath, err)
	}
	serveLogoLocally(spec.LogoURL, *logo)
	if *version != "" {
		if _, err := semver.Parse(*version); err != nil {
			return fmt.Errorf("--version %q: %w", *version, err)
		}
		spec.Version = *version
	}

	loader := schema.NewCachedLoader(&pinnedSchemaLoader{schemas: dependencies})
	// The same validation options as `pulumi package gen-sdk` and the language hosts.
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return fmt.Errorf("bind %s: %w", *schemaPath, err)
	}
	for _, d := range diags {
		fmt.Fprintf(os.Stderr, "%s: %s\n", *schemaPath, d.Error())
	}
	if diags.HasErrors() {
		return fmt.Errorf("%s does not bind: %d error(s)", *schemaPath, len(diags.Errs()))
	}

	for _, language := range strings.Split(*languages, ",") {
		generate, ok := generators[language]
		if !ok {
			return fmt.Errorf("no generator for language %q (have %s)", language, strings.Join(knownLanguages(), ", "))
		}
		// Each generator records its language options in the package: bind afresh per language,
		// as each language host does, so no generator sees another's state.
		pkg, _, err = schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
		if err != nil {
			return err
		}
		files, err := generate(pkg, loader)
		if err != nil {
			return fmt.Errorf("generate %s: %w", language, err)
		}
		if err := writeSDK(filepath.Join(*out, language), files); err != nil {
			return err
		}
	}
	return nil
}

func knownLanguages() []string {
	names := make([]string, 0, len(generators))
	for name := range generators {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
