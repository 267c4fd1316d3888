package main

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

func testObjects(objs ...interface{}) objectSource {
	cms := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	secrets := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, o := range objs {
		switch v := o.(type) {
		case *corev1.ConfigMap:
			cms.Add(v)
		case *corev1.Secret:
			secrets.Add(v)
		}
	}
	return objectSource{configMaps: corev1listers.NewConfigMapLister(cms), secrets: corev1listers.NewSecretLister(secrets)}
}

func TestExpandVars(t *testing.T) {
	values := map[string]string{"A": "1", "B": "two"}
	cases := map[string]string{
		"$(A)-$(B)":  "1-two",
		"$$(A)":      "$(A)",
		"$(MISSING)": "$(MISSING)",
		"${A} $A":    "${A} $A",
		"tail$":      "tail$",
		"$(unclosed": "$(unclosed",
	}
	for in, want := range cases {
		if got := expandVars(in, values); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}

func TestContainerEnvResolvesEverySource(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "broker-0", Namespace: "mq", UID: "u1", Labels: map[string]string{"app": "broker"}},
		Spec:       corev1.PodSpec{NodeName: "n"},
	}
	c := &corev1.Container{
		Name:    "broker",
		EnvFrom: []corev1.EnvFromSource{{Prefix: "CM_", ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}}}},
		Env: []corev1.EnvVar{
			{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
			{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
			{Name: "APP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels['app']"}}},
			{Name: "PASS", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "password"}}},
			{Name: "HEAP", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}, Key: "heap"}}},
			{Name: "ADDR", Value: "$(POD_IP):10911"},
			{Name: "OPT", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "cfg"}, Key: "nope"}}},
		},
	}
	c.Env[6].ValueFrom.ConfigMapKeyRef.Optional = new(bool)
	*c.Env[6].ValueFrom.ConfigMapKeyRef.Optional = true
	objects := testObjects(
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "mq"}, Data: map[string]string{"heap": "-Xmx64m"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "mq"}, Data: map[string][]byte{"password": []byte("pw")}},
	)
	env, err := containerEnv(pod, c, []string{"HOME=/home/rocketmq"}, podFacts{PodIP: "127.0.0.12"}, objects)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(env, "\n")
	for _, want := range []string{"HOME=/home/rocketmq", "HOSTNAME=broker-0", "CM_heap=-Xmx64m", "POD_IP=127.0.0.12", "POD_NAME=broker-0", "APP=broker", "PASS=pw", "HEAP=-Xmx64m", "ADDR=127.0.0.12:10911"} {
		if !strings.Contains(got, want+"\n") && !strings.HasSuffix(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	if strings.Contains(got, "OPT=") {
		t.Error("optional missing key was set")
	}
	c.Env[6].ValueFrom.ConfigMapKeyRef.Optional = nil
	if _, err := containerEnv(pod, c, nil, podFacts{}, objects); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("missing required key: %v", err)
	}
}

func TestContainerCommandKeepsShellSyntaxAndExpandsKubernetesRefs(t *testing.T) {
	c := &corev1.Container{Command: []string{"sh", "-c"}, Args: []string{"echo brokerIP1=${POD_IP} $(NAME)"}}
	argv, err := containerCommand(c, &runnableImage{}, []string{"NAME=b0", "POD_IP=x"})
	if err != nil {
		t.Fatal(err)
	}
	if argv[2] != "echo brokerIP1=${POD_IP} b0" {
		t.Fatalf("got %q", argv[2])
	}
	if _, err := containerCommand(&corev1.Container{Name: "x"}, &runnableImage{Ref: "apache/rocketmq:5.3.2"}, nil); err == nil {
		t.Fatal("expected an error for no command")
	}
}

func TestResourceFieldDefaultsToNodeCapacity(t *testing.T) {
	c := &corev1.Container{Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("512Mi")}}}
	v, _ := resourceField(c, &corev1.ResourceFieldSelector{Resource: "limits.memory", Divisor: resource.MustParse("1Mi")}, podFacts{})
	if v != "512" {
		t.Fatalf("memory %s", v)
	}
	v, _ = resourceField(c, &corev1.ResourceFieldSelector{Resource: "limits.cpu"}, podFacts{NodeCPU: resource.MustParse("16")})
	if v != "16" {
		t.Fatalf("cpu %s", v)
	}
}
