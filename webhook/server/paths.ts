// URL paths the webhook serves, shared by the server and the webhook configuration it is registered in.
export const MUTATE_PATH = "/mutate/pods";
