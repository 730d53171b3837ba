import { sha256Source } from './csp.js';

/**
 * The one stylesheet of every page, inlined in a single `<style>` element and allowed by its CSP hash.
 * Light page, centred white card, system fonts; colours chosen for WCAG AA contrast on white.
 */
export const CSS = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;background:#f2f2f2;color:#1b1b1b;
font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:#0067b8}
a:hover{color:#004e8c}
:focus-visible{outline:2px solid #1b1b1b;outline-offset:2px}
.banner{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1rem;padding:.5rem 1rem;background:#fff;
border-bottom:1px solid #d6d6d6}
.brand{font-weight:600;letter-spacing:.01em}
.notice{font-size:.8125rem;color:#505050}
main{flex:1 0 auto;width:100%}
main.card{flex:0 0 auto;align-self:center}
.card{width:calc(100% - 2rem);max-width:440px;margin:3rem auto 2rem;padding:2.75rem;background:#fff;
box-shadow:0 2px 6px rgba(0,0,0,.2)}
.wide{max-width:1200px;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{margin:0 0 .75rem;font-size:1.5rem;line-height:1.75rem;font-weight:600}
h2{margin:2rem 0 .5rem;font-size:1.0625rem;font-weight:600}
p{margin:0 0 1rem}
.org{margin:0 0 1rem;font-weight:600;color:#505050}
.muted{color:#505050}
.small{font-size:.8125rem}
.account-line{margin:0 0 1rem;color:#505050;overflow-wrap:anywhere}
.error{margin:0 0 1rem;color:#a4262c;font-weight:600}
.field{margin:0 0 1.25rem}
label{display:block;margin:0 0 .25rem;font-size:.875rem;font-weight:600}
input[type=text],input[type=password]{display:block;width:100%;padding:.375rem .125rem;font:inherit;
color:#1b1b1b;background:#fff;border:0;border-bottom:1px solid #666;border-radius:0}
input[type=text]:focus,input[type=password]:focus{border-bottom:2px solid #0067b8;padding-bottom:calc(.375rem - 1px)}
input[aria-invalid=true]{border-bottom-color:#a4262c}
.code-input{font-family:ui-monospace,SFMono-Regular,Consolas,"Liberation Mono",monospace;font-size:1.125rem;
letter-spacing:.08em;text-transform:uppercase}
.actions{display:flex;flex-wrap:wrap;justify-content:flex-end;gap:.5rem;margin-top:1.5rem}
button{font:inherit;cursor:pointer}
.btn{min-width:108px;min-height:32px;padding:.25rem 1rem;border:1px solid transparent}
.btn-primary{background:#0067b8;border-color:#0067b8;color:#fff}
.btn-primary:hover{background:#005da6}
.btn-secondary{background:#e6e6e6;border-color:#e6e6e6;color:#1b1b1b}
.btn-secondary:hover{background:#d6d6d6}
.accounts{list-style:none;margin:0 -2.75rem 1rem;padding:0}
.account{display:block;width:100%;padding:.75rem 2.75rem;text-align:left;background:none;border:0;
border-top:1px solid #e6e6e6;color:#1b1b1b}
.account:hover{background:#f2f2f2}
.account-name{display:block;font-weight:600;overflow-wrap:anywhere}
.account-user{display:block;font-size:.875rem;color:#505050;overflow-wrap:anywhere}
.perms{list-style:none;margin:0 0 1rem;padding:0}
.perms li{padding:.5rem 0;border-bottom:1px solid #e6e6e6}
.perm-desc{display:block;font-weight:600}
code,.mono{font-family:ui-monospace,SFMono-Regular,Consolas,"Liberation Mono",monospace;font-size:.8125rem}
.perm-scope{color:#505050;overflow-wrap:anywhere}
.details{margin-top:1.5rem;padding:1rem;background:#f2f2f2;font-size:.8125rem}
.details h2{margin:0 0 .5rem;font-size:.875rem}
.details dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem}
.details dt{font-weight:600}
.details dd{margin:0;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;margin:0 0 1rem;background:#fff;box-shadow:0 1px 3px rgba(0,0,0,.15)}
table{width:100%;border-collapse:collapse;font-size:.875rem}
caption{padding:.75rem .75rem .5rem;text-align:left;font-weight:600;font-size:1.0625rem}
th,td{padding:.5rem .75rem;text-align:left;vertical-align:top;border-top:1px solid #e6e6e6}
th{background:#f8f8f8;font-weight:600;white-space:nowrap}
td{overflow-wrap:break-word}
td code,td .plain li{overflow-wrap:anywhere}
.plain{list-style:none;margin:0;padding:0}
.empty{color:#505050;font-style:italic}
@media (max-width:600px){
.card{width:100%;margin:0;padding:1.5rem;box-shadow:none}
.accounts{margin:0 -1.5rem 1rem}
.account{padding:.75rem 1.5rem}
}
`;

/** CSP hash source of {@link CSS}, computed once at module load. */
export const STYLE_HASH = sha256Source(CSS);
