// The Kubernetes resources a cluster is made of, in the shape of @pulumi/kubernetes
// (k8s.apps.v1.StatefulSet, k8s.types.input.core.v1.Volume), each loaded from its own module:
// the SDK's index loads every API group of Kubernetes, a megabyte of code the plugin would
// otherwise carry and parse at every start.
import * as customResource from "@pulumi/kubernetes/apiextensions/customResource";
import * as deployment from "@pulumi/kubernetes/apps/v1/deployment";
import * as statefulSet from "@pulumi/kubernetes/apps/v1/statefulSet";
import * as configMap from "@pulumi/kubernetes/core/v1/configMap";
import * as secret from "@pulumi/kubernetes/core/v1/secret";
import * as service from "@pulumi/kubernetes/core/v1/service";
import * as podDisruptionBudget from "@pulumi/kubernetes/policy/v1/podDisruptionBudget";

export type * as types from "@pulumi/kubernetes/types";

export namespace apps.v1 {
    export import Deployment = deployment.Deployment;
    export import StatefulSet = statefulSet.StatefulSet;
    export type StatefulSetArgs = statefulSet.StatefulSetArgs;
}

export namespace core.v1 {
    export import ConfigMap = configMap.ConfigMap;
    export import Secret = secret.Secret;
    export import Service = service.Service;
}

export namespace policy.v1 {
    export import PodDisruptionBudget = podDisruptionBudget.PodDisruptionBudget;
}

export namespace apiextensions {
    export import CustomResource = customResource.CustomResource;
}
