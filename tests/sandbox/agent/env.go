package main

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	corev1listers "k8s.io/client-go/listers/core/v1"
)

// objectSource reads the ConfigMaps and Secrets that env and volumes refer to.
type objectSource struct {
	configMaps corev1listers.ConfigMapLister
	secrets    corev1listers.SecretLister
}

func (o objectSource) configMap(ns, name string) (*corev1.ConfigMap, error) {
	return o.configMaps.ConfigMaps(ns).Get(name)
}

func (o objectSource) secret(ns, name string) (*corev1.Secret, error) {
	return o.secrets.Secrets(ns).Get(name)
}

// podFacts are the values the downward API exposes that are not in the pod object itself.
type podFacts struct {
	PodIP         string
	HostIP        string
	NodeCPU       resource.Quantity
	NodeMemory    resource.Quantity
	NodeEphemeral resource.Quantity
}

// containerEnv computes a container's environment as the kubelet does: the image's ENV first,
// then envFrom sources, then env entries in order, each value expanding $(VAR) references to
// variables defined before it.
func containerEnv(pod *corev1.Pod, c *corev1.Container, image []string, facts podFacts, objects objectSource) ([]string, error) {
	values := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, seen := values[k]; !seen {
			order = append(order, k)
		}
		values[k] = v
	}
	for _, kv := range image {
		if k, v, ok := strings.Cut(kv, "="); ok {
			set(k, v)
		}
	}
	set("HOSTNAME", podHostname(pod))
	for _, from := range c.EnvFrom {
		data, err := envFromData(pod.Namespace, from, objects)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			set(from.Prefix+k, data[k])
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			set(e.Name, expandVars(e.Value, values))
			continue
		}
		v, skip, err := envValueFrom(pod, c, e.ValueFrom, facts, objects)
		if err != nil {
			return nil, fmt.Errorf("env %s: %w", e.Name, err)
		}
		if !skip {
			set(e.Name, v)
		}
	}
	env := make([]string, 0, len(order))
	for _, k := range order {
		env = append(env, k+"="+values[k])
	}
	return env, nil
}

// containerCommand computes argv from the container's command/args and the image's entrypoint,
// expanding $(VAR) references against the container's environment.
func containerCommand(c *corev1.Container, img *runnableImage, env []string) ([]string, error) {
	values := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			values[k] = v
		}
	}
	var argv []string
	switch {
	case len(c.Command) > 0:
		argv = append(argv, c.Command...)
		argv = append(argv, c.Args...)
	case len(img.Entrypoint) > 0:
		argv = append(argv, img.Entrypoint...)
		argv = append(argv, c.Args...)
	case len(c.Args) > 0:
		argv = append(argv, c.Args...)
	default:
		return nil, fmt.Errorf("container %s has no command and image %s has no entrypoint", c.Name, img.Ref)
	}
	for i := range argv {
		argv[i] = expandVars(argv[i], values)
	}
	return argv, nil
}

// expandVars replaces $(NAME) with its value when NAME is defined; $$ is a literal $ and an
// undefined reference stays as written, as in Kubernetes.
func expandVars(s string, values map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := values[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}

func envFromData(ns string, from corev1.EnvFromSource, objects objectSource) (map[string]string, error) {
	switch {
	case from.ConfigMapRef != nil:
		cm, err := objects.configMap(ns, from.ConfigMapRef.Name)
		if err != nil {
			if isOptional(from.ConfigMapRef.Optional) {
				return nil, nil
			}
			return nil, fmt.Errorf("configmap %q: %w", from.ConfigMapRef.Name, err)
		}
		return cm.Data, nil
	case from.SecretRef != nil:
		s, err := objects.secret(ns, from.SecretRef.Name)
		if err != nil {
			if isOptional(from.SecretRef.Optional) {
				return nil, nil
			}
			return nil, fmt.Errorf("secret %q: %w", from.SecretRef.Name, err)
		}
		data := map[string]string{}
		for k, v := range s.Data {
			data[k] = string(v)
		}
		return data, nil
	}
	return nil, nil
}

func isOptional(b *bool) bool { return b != nil && *b }

// envValueFrom resolves one valueFrom; skip is true for a missing optional key.
func envValueFrom(pod *corev1.Pod, c *corev1.Container, from *corev1.EnvVarSource, facts podFacts, objects objectSource) (string, bool, error) {
	switch {
	case from.FieldRef != nil:
		v, err := podField(pod, from.FieldRef.FieldPath, facts)
		return v, false, err
	case from.ResourceFieldRef != nil:
		v, err := resourceField(c, from.ResourceFieldRef, facts)
		return v, false, err
	case from.ConfigMapKeyRef != nil:
		ref := from.ConfigMapKeyRef
		cm, err := objects.configMap(pod.Namespace, ref.Name)
		if err != nil {
			if isOptional(ref.Optional) {
				return "", true, nil
			}
			return "", false, fmt.Errorf("configmap %q: %w", ref.Name, err)
		}
		v, ok := cm.Data[ref.Key]
		if !ok {
			if isOptional(ref.Optional) {
				return "", true, nil
			}
			return "", false, fmt.Errorf("configmap %q has no key %q", ref.Name, ref.Key)
		}
		return v, false, nil
	case from.SecretKeyRef != nil:
		ref := from.SecretKeyRef
		s, err := objects.secret(pod.Namespace, ref.Name)
		if err != nil {
			if isOptional(ref.Optional) {
				return "", true, nil
			}
			return "", false, fmt.Errorf("secret %q: %w", ref.Name, err)
		}
		v, ok := s.Data[ref.Key]
		if !ok {
			if isOptional(ref.Optional) {
				return "", true, nil
			}
			return "", false, fmt.Errorf("secret %q has no key %q", ref.Name, ref.Key)
		}
		return string(v), false, nil
	}
	return "", false, fmt.Errorf("unsupported valueFrom")
}

// podField answers a downward API fieldPath.
func podField(pod *corev1.Pod, path string, facts podFacts) (string, error) {
	if key, ok := bracketKey(path, "metadata.labels"); ok {
		return pod.Labels[key], nil
	}
	if key, ok := bracketKey(path, "metadata.annotations"); ok {
		return pod.Annotations[key], nil
	}
	switch path {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "metadata.labels":
		return formatMap(pod.Labels), nil
	case "metadata.annotations":
		return formatMap(pod.Annotations), nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	case "status.podIP", "status.podIPs":
		return facts.PodIP, nil
	case "status.hostIP", "status.hostIPs":
		return facts.HostIP, nil
	}
	return "", fmt.Errorf("unsupported fieldPath %q", path)
}

func bracketKey(path, prefix string) (string, bool) {
	if !strings.HasPrefix(path, prefix+"['") || !strings.HasSuffix(path, "']") {
		return "", false
	}
	return path[len(prefix)+2 : len(path)-2], true
}

func formatMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	lines := make([]string, 0, len(keys))
	for _, k := range keys {
		lines = append(lines, fmt.Sprintf("%s=%q", k, m[k]))
	}
	return strings.Join(lines, "\n")
}

// resourceField answers limits/requests of a container; a missing limit is the node's capacity.
func resourceField(c *corev1.Container, ref *corev1.ResourceFieldSelector, facts podFacts) (string, error) {
	divisor := ref.Divisor
	if divisor.IsZero() {
		divisor = resource.MustParse("1")
	}
	var q resource.Quantity
	var ok bool
	switch ref.Resource {
	case "limits.cpu":
		q, ok = c.Resources.Limits[corev1.ResourceCPU]
		if !ok {
			q = facts.NodeCPU
		}
	case "limits.memory":
		q, ok = c.Resources.Limits[corev1.ResourceMemory]
		if !ok {
			q = facts.NodeMemory
		}
	case "limits.ephemeral-storage":
		q, ok = c.Resources.Limits[corev1.ResourceEphemeralStorage]
		if !ok {
			q = facts.NodeEphemeral
		}
	case "requests.cpu":
		q = c.Resources.Requests[corev1.ResourceCPU]
	case "requests.memory":
		q = c.Resources.Requests[corev1.ResourceMemory]
	case "requests.ephemeral-storage":
		q = c.Resources.Requests[corev1.ResourceEphemeralStorage]
	default:
		return "", fmt.Errorf("unsupported resource %q", ref.Resource)
	}
	if ref.Resource == "limits.cpu" || ref.Resource == "requests.cpu" {
		// CPU rounds up to whole divisor units, as the kubelet does.
		v := (q.MilliValue() + divisor.MilliValue() - 1) / divisor.MilliValue()
		return fmt.Sprint(v), nil
	}
	v := (q.Value() + divisor.Value() - 1) / divisor.Value()
	return fmt.Sprint(v), nil
}

// podHostname is the pod's hostname: spec.hostname or its name, cut to 63 characters.
func podHostname(pod *corev1.Pod) string {
	h := pod.Spec.Hostname
	if h == "" {
		h = pod.Name
	}
	if len(h) > 63 {
		h = strings.TrimRight(h[:63], "-.")
	}
	return h
}
