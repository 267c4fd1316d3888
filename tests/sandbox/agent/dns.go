package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	corev1listers "k8s.io/client-go/listers/core/v1"
)

const clusterDomain = "cluster.local"

// clusterDNS keeps each pod's hosts file (mounted at /run/cluster-dns/hosts, read by the JVM
// through -Djdk.net.hosts.file) in step with Services and pods, answering what cluster DNS
// would: Service names resolve to the addresses of their ready endpoints (there is no
// kube-proxy, so a ClusterIP Service also resolves to its pods' addresses), and pods with a
// hostname and subdomain under a headless Service get their own records.
type clusterDNS struct {
	agent    *Agent
	pods     corev1listers.PodLister
	services corev1listers.ServiceLister
	trigger  chan struct{}
}

func newClusterDNS(a *Agent, pods corev1listers.PodLister, services corev1listers.ServiceLister) *clusterDNS {
	return &clusterDNS{agent: a, pods: pods, services: services, trigger: make(chan struct{}, 1)}
}

// Changed asks for every pod's file to be rewritten soon.
func (d *clusterDNS) Changed() {
	select {
	case d.trigger <- struct{}{}:
	default:
	}
}

func (d *clusterDNS) run(ctx context.Context) {
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.trigger:
			time.Sleep(100 * time.Millisecond) // let a burst of changes settle
		case <-tick.C:
		}
		for _, p := range d.agent.runners() {
			d.WritePod(p)
		}
	}
}

// WritePod rewrites one pod's hosts file atomically (rename), so readers never see half a file.
func (d *clusterDNS) WritePod(p *podRunner) {
	self := p.snapshot()
	pods := d.currentPods()
	services, err := d.services.List(labels.Everything())
	if err != nil {
		return
	}
	text := hostsFile(self, services, pods)
	path := filepath.Join(p.dnsDir(), "hosts")
	if old, err := os.ReadFile(path); err == nil && string(old) == text {
		return
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err == nil {
		os.Rename(tmp, path)
	}
}

// currentPods are the API server's pods with this node's own pods' statuses, which are fresher.
func (d *clusterDNS) currentPods() []*corev1.Pod {
	listed, _ := d.pods.List(labels.Everything())
	own := map[string]*corev1.Pod{}
	for _, p := range d.agent.runners() {
		s := p.snapshot()
		own[string(s.UID)] = s
	}
	out := make([]*corev1.Pod, 0, len(listed))
	for _, p := range listed {
		if s, ok := own[string(p.UID)]; ok {
			out = append(out, s)
			delete(own, string(p.UID))
			continue
		}
		out = append(out, p)
	}
	for _, s := range own {
		out = append(out, s)
	}
	return out
}

// hostsFile computes the hosts file one pod sees.
func hostsFile(self *corev1.Pod, services []*corev1.Service, pods []*corev1.Pod) string {
	var b strings.Builder
	b.WriteString("# Cluster names as seen from pod " + self.Namespace + "/" + self.Name + "; written by the sandbox node.\n")
	b.WriteString("127.0.0.1\tlocalhost\n")
	hostname := podHostname(self)
	if self.Status.PodIP != "" {
		names := []string{hostname}
		if self.Spec.Subdomain != "" {
			names = append(fqdnForms(hostname+"."+self.Spec.Subdomain, self.Namespace, self.Namespace), names...)
		}
		fmt.Fprintf(&b, "%s\t%s\n", self.Status.PodIP, strings.Join(names, " "))
	}
	sorted := append([]*corev1.Service{}, services...)
	sort.Slice(sorted, func(i, j int) bool {
		return sorted[i].Namespace+"/"+sorted[i].Name < sorted[j].Namespace+"/"+sorted[j].Name
	})
	for _, svc := range sorted {
		if svc.Spec.Type == corev1.ServiceTypeExternalName || len(svc.Spec.Selector) == 0 {
			continue
		}
		selector := labels.SelectorFromSet(svc.Spec.Selector)
		headless := svc.Spec.ClusterIP == corev1.ClusterIPNone
		var endpoints []*corev1.Pod
		for _, p := range pods {
			if p.Namespace != svc.Namespace || p.Status.PodIP == "" || p.DeletionTimestamp != nil || !selector.Matches(labels.Set(p.Labels)) {
				continue
			}
			if !svc.Spec.PublishNotReadyAddresses && !podReady(p) {
				continue
			}
			endpoints = append(endpoints, p)
		}
		sort.Slice(endpoints, func(i, j int) bool { return endpoints[i].Name < endpoints[j].Name })
		for _, p := range endpoints {
			fmt.Fprintf(&b, "%s\t%s\n", p.Status.PodIP, strings.Join(fqdnForms(svc.Name, svc.Namespace, self.Namespace), " "))
		}
		if !headless {
			continue
		}
		for _, p := range endpoints {
			if p.Spec.Subdomain != svc.Name {
				continue
			}
			name := podHostname(p) + "." + svc.Name
			fmt.Fprintf(&b, "%s\t%s\n", p.Status.PodIP, strings.Join(fqdnForms(name, svc.Namespace, self.Namespace), " "))
		}
	}
	return b.String()
}

// fqdnForms lists the names a resolver with the pod's search path would accept for
// NAME in namespace ns: NAME.ns.svc.cluster.local, NAME.ns.svc, NAME.ns, and NAME alone
// when the asking pod is in the same namespace.
func fqdnForms(name, ns, askingNS string) []string {
	forms := []string{
		name + "." + ns + ".svc." + clusterDomain,
		name + "." + ns + ".svc",
		name + "." + ns,
	}
	if ns == askingNS {
		forms = append(forms, name)
	}
	return forms
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
