package com.mlreef.offline.registry;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * A registry's token endpoint (the {@code realm} of its {@code Bearer} challenge), through the REST client: a GET with
 * basic credentials (or none, for an anonymous token), or a POST of an OAuth refresh token ({@code docker login}'s
 * identity token).
 */
public interface TokenApi {
    @GET
    Response token(@QueryParam("service") String service, @QueryParam("scope") String scope,
                   @HeaderParam("Authorization") String authorization);

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    Response refresh(@FormParam("grant_type") String grantType, @FormParam("refresh_token") String refreshToken,
                     @FormParam("service") String service, @FormParam("scope") String scope,
                     @FormParam("client_id") String clientId);
}
