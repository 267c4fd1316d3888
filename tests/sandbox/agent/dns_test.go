package main

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func readyPod(name, ns, ip string, ready bool, lbl map[string]string, subdomain string) *corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: lbl, UID: types.UID("uid-" + name)},
		Spec:       corev1.PodSpec{Hostname: name, Subdomain: subdomain},
		Status:     corev1.PodStatus{PodIP: ip, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}},
	}
}

func TestHostsFileAnswersLikeClusterDNS(t *testing.T) {
	sel := map[string]string{"app": "namesrv"}
	ns0 := readyPod("name-service-0", "mq", "127.0.0.10", true, sel, "name-service")
	ns1 := readyPod("name-service-1", "mq", "127.0.0.11", false, sel, "name-service")
	broker := readyPod("broker-0-master-0", "mq", "127.0.0.12", true, map[string]string{"app": "broker"}, "broker-0")
	other := readyPod("x", "other", "127.0.0.13", true, sel, "")
	services := []*corev1.Service{
		{ObjectMeta: metav1.ObjectMeta{Name: "name-service", Namespace: "mq"}, Spec: corev1.ServiceSpec{ClusterIP: "None", Selector: sel}},
		{ObjectMeta: metav1.ObjectMeta{Name: "console", Namespace: "mq"}, Spec: corev1.ServiceSpec{ClusterIP: "10.96.0.20", Selector: map[string]string{"app": "broker"}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "ext", Namespace: "mq"}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "example.com"}},
	}
	text := hostsFile(broker, services, []*corev1.Pod{ns0, ns1, broker, other})
	has := func(line string) bool {
		for _, l := range strings.Split(text, "\n") {
			if l == line {
				return true
			}
		}
		return false
	}
	want := []string{
		"127.0.0.1\tlocalhost",
		"127.0.0.12\tbroker-0-master-0.broker-0.mq.svc.cluster.local broker-0-master-0.broker-0.mq.svc broker-0-master-0.broker-0.mq broker-0-master-0.broker-0 broker-0-master-0",
		"127.0.0.10\tname-service.mq.svc.cluster.local name-service.mq.svc name-service.mq name-service",
		"127.0.0.10\tname-service-0.name-service.mq.svc.cluster.local name-service-0.name-service.mq.svc name-service-0.name-service.mq name-service-0.name-service",
		"127.0.0.12\tconsole.mq.svc.cluster.local console.mq.svc console.mq console",
	}
	for _, w := range want {
		if !has(w) {
			t.Errorf("missing %q in\n%s", w, text)
		}
	}
	if strings.Contains(text, "127.0.0.11") {
		t.Errorf("not-ready endpoint published:\n%s", text)
	}
	if strings.Contains(text, "127.0.0.13") {
		t.Errorf("pod of another namespace selected:\n%s", text)
	}
	services[0].Spec.PublishNotReadyAddresses = true
	if !strings.Contains(hostsFile(broker, services, []*corev1.Pod{ns1}), "127.0.0.11\tname-service-1.name-service.mq.svc.cluster.local") {
		t.Error("publishNotReadyAddresses ignored")
	}
	fromOther := hostsFile(other, services, []*corev1.Pod{ns0})
	if strings.Contains(fromOther, " name-service\n") || !strings.Contains(fromOther, "name-service.mq.svc name-service.mq\n") {
		t.Errorf("short names must resolve only in the same namespace:\n%s", fromOther)
	}
}
