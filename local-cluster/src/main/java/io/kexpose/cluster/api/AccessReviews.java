package io.kexpose.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kexpose.cluster.security.Identity;

/**
 * {@code kubectl auth can-i}: SelfSubjectAccessReview and SelfSubjectRulesReview answered by the local cluster's
 * authorizer. That authorizer is simple and says so: every authenticated user (the admin, each component's
 * ServiceAccount) may do everything, as on a kind cluster for its admin; an unauthenticated request never gets here
 * (401). The reason of each answer states it, so {@code can-i} never suggests a check that is not made.
 */
final class AccessReviews {

    static final String REASON = "the local cluster authorizes every authenticated user for every request";

    private AccessReviews() {
    }

    /** The created review ({@code kind} from the path), with its status filled in; 201, as kube-apiserver. */
    static ApiServer.Reply answer(String resource, Identity who, JsonNode request, ObjectMapper json) {
        ObjectNode review = request.isObject() ? ((ObjectNode) request).deepCopy() : json.createObjectNode();
        review.put("apiVersion", "authorization.k8s.io/v1");
        if (resource.equals("selfsubjectaccessreviews")) {
            review.put("kind", "SelfSubjectAccessReview");
            review.putObject("status").put("allowed", true).put("reason", REASON);
        } else if (resource.equals("selfsubjectrulesreviews")) {
            review.put("kind", "SelfSubjectRulesReview");
            ObjectNode status = review.putObject("status");
            ObjectNode rule = status.putArray("resourceRules").addObject();
            rule.putArray("verbs").add("*");
            rule.putArray("apiGroups").add("*");
            rule.putArray("resources").add("*");
            ObjectNode nonResource = status.putArray("nonResourceRules").addObject();
            nonResource.putArray("verbs").add("*");
            nonResource.putArray("nonResourceURLs").add("*");
            status.put("incomplete", false);
        } else {
            throw new ApiServer.ApiException(new ApiError(404, "NotFound", resource + " (authorization.k8s.io/v1) is not "
                    + "supported by the local cluster"));
        }
        if (!review.has("metadata")) {
            review.putObject("metadata");
        }
        try {
            return ApiServer.Reply.json(201, json.writeValueAsString(review));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
