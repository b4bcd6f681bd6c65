package com.mlreef.offline.registry;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Encoded;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The JSON calls of the Registry HTTP API v2 (the OCI distribution spec), through the REST client. Every call gives
 * the response as it came (no exception for a 4xx or 5xx): {@link RegistryClient} reads the status, the challenge of
 * a 401 and the registry's error body. Repository names are checked ({@link ImageName#checkRepository}) before they
 * are put into a path unencoded (their slashes are path separators).
 */
@Path("/v2")
public interface RegistryApi {
    @GET
    @Path("/")
    Response ping(@HeaderParam("Authorization") String authorization);

    @GET
    @Path("/{repository}/manifests/{reference}")
    Response manifest(@Encoded @PathParam("repository") String repository, @PathParam("reference") String reference,
                      @HeaderParam("Accept") String accept, @HeaderParam("Authorization") String authorization);

    @HEAD
    @Path("/{repository}/manifests/{reference}")
    Response manifestHead(@Encoded @PathParam("repository") String repository,
                          @PathParam("reference") String reference, @HeaderParam("Accept") String accept,
                          @HeaderParam("Authorization") String authorization);

    @PUT
    @Path("/{repository}/manifests/{reference}")
    @Consumes(MediaType.WILDCARD)
    Response putManifest(@Encoded @PathParam("repository") String repository,
                         @PathParam("reference") String reference, @HeaderParam("Content-Type") String mediaType,
                         @HeaderParam("Authorization") String authorization, byte[] manifest);

    @HEAD
    @Path("/{repository}/blobs/{digest}")
    Response blobHead(@Encoded @PathParam("repository") String repository, @PathParam("digest") String digest,
                      @HeaderParam("Authorization") String authorization);

    @GET
    @Path("/{repository}/tags/list")
    Response tags(@Encoded @PathParam("repository") String repository, @QueryParam("n") Integer count,
                  @HeaderParam("Authorization") String authorization);
}
