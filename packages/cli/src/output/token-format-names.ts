/**
 * The formats `tokenloop token --format` writes (token-format.ts renders them). A file of its own, importing
 * nothing, so that registering the command's options does not load the renderers.
 */
export const TOKEN_FORMATS = ['raw', 'json', 'header', 'env', 'xoauth2', 'oauthbearer'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];
