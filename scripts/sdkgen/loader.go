package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// pinnedSchema is the schema of a package our schema depends on, read from a file at one version.
type pinnedSchema struct {
	version semver.Version
	path    string
}

// pinnedSchemaLoader serves the packages schema.json refers to (e.g. kubernetes) from schema files
// at pinned versions instead of booting provider plugins: generation then needs no plugin, and a
// reference to any other package or version fails instead of silently binding against something else.
type pinnedSchemaLoader struct {
	schemas map[string]pinnedSchema
}

var _ schema.ReferenceLoader = (*pinnedSchemaLoader)(nil)

// parseDependency reads a flag value of the form NAME@VERSION=PATH.
func parseDependency(value string) (string, pinnedSchema, error) {
	nameVersion, path, ok := strings.Cut(value, "=")
	name, version, ok2 := strings.Cut(nameVersion, "@")
	if !ok || !ok2 || name == "" || path == "" {
		return "", pinnedSchema{}, fmt.Errorf("dependency %q: want NAME@VERSION=PATH", value)
	}
	v, err := semver.ParseTolerant(version)
	if err != nil {
		return "", pinnedSchema{}, fmt.Errorf("dependency %q: version: %w", value, err)
	}
	return name, pinnedSchema{version: v, path: path}, nil
}

func (l *pinnedSchemaLoader) LoadPackage(name string, version *semver.Version) (*schema.Package, error) {
	return l.LoadPackageV2(context.Background(), &schema.PackageDescriptor{Name: name, Version: version})
}

func (l *pinnedSchemaLoader) LoadPackageV2(
	ctx context.Context, descriptor *schema.PackageDescriptor,
) (*schema.Package, error) {
	ref, err := l.LoadPackageReferenceV2(ctx, descriptor)
	if err != nil {
		return nil, err
	}
	return ref.Definition()
}

func (l *pinnedSchemaLoader) LoadPackageReference(
	name string, version *semver.Version,
) (schema.PackageReference, error) {
	return l.LoadPackageReferenceV2(context.Background(), &schema.PackageDescriptor{Name: name, Version: version})
}

func (l *pinnedSchemaLoader) LoadPackageReferenceV2(
	ctx context.Context, descriptor *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	if descriptor.Name == "pulumi" {
		// The built-in package (pulumi:pulumi:StackReference and friends) has no schema file.
		return schema.DefaultPulumiPackage.Reference(), nil
	}
	if descriptor.Parameterization != nil {
		return nil, fmt.Errorf("package %s: parameterized packages are not supported", descriptor.Name)
	}
	pinned, ok := l.schemas[descriptor.Name]
	if !ok {
		return nil, fmt.Errorf("package %s is referenced but no schema is pinned for it (--dependency %s@VERSION=PATH)",
			descriptor.Name, descriptor.Name)
	}
	if descriptor.Version != nil && !descriptor.Version.EQ(pinned.version) {
		return nil, fmt.Errorf("package %s %s is referenced but the pinned schema is %s",
			descriptor.Name, descriptor.Version, pinned.version)
	}

	data, err := os.ReadFile(pinned.path)
	if err != nil {
		return nil, fmt.Errorf("package %s: %w", descriptor.Name, err)
	}
	var spec schema.PartialPackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("package %s: %s: %w", descriptor.Name, pinned.path, err)
	}
	if spec.Name != descriptor.Name {
		return nil, fmt.Errorf("package %s: %s holds the schema of package %q", descriptor.Name, pinned.path, spec.Name)
	}
	// A provider stamps its release version into the schema it serves; the checked-in file has none.
	spec.Version = pinned.version.String()

	// A partial package binds its members on demand: only the types our schema refers to are bound.
	return schema.ImportPartialSpec(spec, nil, l)
}
