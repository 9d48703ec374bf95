/*
 * submit_candidate.c - what a form handler does with libonderwijsregio, start to finish.
 *
 * A school website collects a would-be teacher's details and hands them to the region's
 * applicant tracking system. This program walks through the five steps that takes:
 *
 *   1. create a client for the region (base URL and API key);
 *   2. fetch the region's JSON Schema, which says what a valid candidate looks like;
 *   3. validate a good payload against it;
 *   4. validate a bad payload, and print why it is refused (what a form would show its user);
 *   5. submit the good payload as a "candidates.create" mutation, exactly once, asking the
 *      service to POST the result to a callback URL when the mutation has run.
 *
 * The service answers a mutation with 202 Accepted: queued, not yet applied. The result
 * arrives later at the callback URL, signed; receiving it is the callback receiver's job,
 * not this program's (`make demo` runs one next to it).
 *
 * Configuration comes from the environment, not the command line, so that the API key never
 * shows up in `ps` output or a shell history:
 *
 *   ONDERWIJSREGIO_BASE_URL   required, e.g. https://onderwijsregio.onderwijsin.nl/api/v2, or
 *                             the local simulator's http://127.0.0.1:<port>/api/v2
 *   ONDERWIJSREGIO_API_KEY    required: the region's API key (the simulator's is sim-api-key)
 *   DEMO_CALLBACK_URL         optional: where the result of the mutation is POSTed
 *   ONDERWIJSREGIO_SANDBOX    optional: 1 to use the service's sandbox (off by default). Step 5
 *                             creates a real candidate: against the real service, set it.
 *
 * Build and run (after `make dist`, or against an installed library):
 *
 *   cc -std=c99 submit_candidate.c $(pkg-config --cflags --libs onderwijsregio) -o submit_candidate
 *   ONDERWIJSREGIO_BASE_URL=http://127.0.0.1:8787/api/v2 ONDERWIJSREGIO_API_KEY=sim-api-key \
 *   DEMO_CALLBACK_URL=http://127.0.0.1:9000/hooks/onderwijsregio ./submit_candidate
 *
 * Exits 0 when every step went as expected, 1 otherwise (the reason is on stderr).
 *
 * The library hands back JSON text (schema, validation report, submit result). A real program
 * would read it with its JSON parser of choice; to stay dependency-free this example only
 * picks a few members out of it with json_member() below, which is enough for the compact
 * JSON the library writes and no more.
 */
#include <onderwijsregio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One candidate, as a website form would produce it. The field names come from the region's
   schema (GET /schema); the library itself knows no field names. */
static const char GOOD_PAYLOAD[] =
    "{\"email\": \"jan.jansen@example.nl\","
    " \"firstName\": \"Jan\","
    " \"lastName\": \"Jansen\","
    " \"phone\": \"06-12345678\","
    " \"phase\": \"orienting\","
    " \"sectors\": [\"primary_education\"],"
    " \"privacyConsent\": true}";

/* The same form filled in badly: an email address without a domain, no last name, and the
   privacy checkbox sent as a string. Each of these is one error in the report. */
static const char BAD_PAYLOAD[] =
    "{\"email\": \"jan.jansen@\","
    " \"firstName\": \"Jan\","
    " \"privacyConsent\": \"yes\"}";

/* Prints why a call failed. oreg_last_error() is a JSON object ("status", "name", "message"
   and, depending on the failure, "httpStatus", "issues", "idempotencyKey", ...), owned by the
   library and valid until the next failing call on this thread: print it, don't free it. */
static void report_failure(const char *what, int status) {
    fprintf(stderr, "submit_candidate: %s failed with %s: %s\n", what, oreg_status_name(status),
            oreg_last_error());
}

/* Writes s as a JSON string literal (with quotes) into out. Options are JSON, and the values
   come from the environment, so they must be escaped, not pasted in. Returns 0, or -1 when
   out is too small. */
static int json_quote(const char *s, char *out, size_t size) {
    size_t n = 0;
#define PUT(c) do { if (n + 1 >= size) return -1; out[n++] = (c); } while (0)
    PUT('"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            PUT('\\');
            PUT((char)c);
        } else if (c < 0x20) {
            char hex[7];
            snprintf(hex, sizeof hex, "\\u%04x", c);
            for (int i = 0; hex[i] != '\0'; i++) PUT(hex[i]);
        } else {
            PUT((char)c);
        }
    }
    PUT('"');
#undef PUT
    out[n] = '\0';
    return 0;
}

/*
 * Copies the value of the first member called `key` found in `json` into out: a string's
 * contents (the escapes \" \\ \/ resolved, any other escape left as it is), or the text of a
 * number, true, false or null. Returns a pointer just past the value in json, or NULL when
 * there is no such member.
 *
 * Not a JSON parser: it relies on the library writing compact JSON (no spaces after the
 * colon). A member name cannot be confused with string contents, because a quote inside a
 * string is always escaped. It does not know which object a member belongs to: it finds the
 * first one in document order.
 */
static const char *json_member(const char *json, const char *key, char *out, size_t size) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *p = strstr(json, pattern);
    size_t n = 0;
    if (p == NULL || size == 0) return NULL;
    p += strlen(pattern);
    if (*p == '"') {
        for (p++; *p != '\0' && *p != '"'; p++) {
            if (*p == '\\' && p[1] != '\0') {
                p++;
                if (*p != '"' && *p != '\\' && *p != '/' && n + 1 < size) out[n++] = '\\';
            }
            if (n + 1 < size) out[n++] = *p;
        }
        if (*p == '"') p++;
    } else {
        for (; *p != '\0' && *p != ',' && *p != '}' && *p != ']'; p++)
            if (n + 1 < size) out[n++] = *p;
    }
    out[n] = '\0';
    return p;
}

/* Prints a validation report, one line per error: where in the payload, and what is wrong.
   The report is {"valid":false,"errors":[{"instanceLocation":...,"message":...}, ...]};
   errors of anyOf/oneOf/not carry their branches' errors nested, which this simple scan
   lists right after them. */
static void print_report(const char *report) {
    char location[256], message[512];
    const char *p = report;
    while ((p = json_member(p, "instanceLocation", location, sizeof location)) != NULL) {
        const char *next = json_member(p, "message", message, sizeof message);
        if (next == NULL) break;
        /* An empty JSON Pointer is the payload itself: that is where "required" fails. */
        printf("  %-16s %s\n", location[0] != '\0' ? location : "(payload)", message);
        p = next;
    }
}

int main(void) {
    const char *base_url = getenv("ONDERWIJSREGIO_BASE_URL");
    const char *api_key = getenv("ONDERWIJSREGIO_API_KEY");
    const char *callback_url = getenv("DEMO_CALLBACK_URL");
    const char *sandbox = getenv("ONDERWIJSREGIO_SANDBOX");
    int use_sandbox = sandbox != NULL && strcmp(sandbox, "1") == 0;

    /* Everything the library hands out is released at `done`, whichever way we get there. */
    oreg_client *client = NULL;
    char *schema = NULL, *report = NULL, *result = NULL;
    int exit_code = 1, status;
    char quoted_url[2048], quoted_key[1024], quoted_callback[2048];
    char options[4096], submit_options[2100];
    char value[256];

    if (base_url == NULL || *base_url == '\0' || api_key == NULL || *api_key == '\0') {
        fputs("submit_candidate: set ONDERWIJSREGIO_BASE_URL and ONDERWIJSREGIO_API_KEY "
              "(see the top of submit_candidate.c)\n", stderr);
        return 2;
    }
    if (callback_url != NULL && *callback_url == '\0') callback_url = NULL;

    printf("libonderwijsregio %s\n\n", oreg_version());

    /* 1. The client holds the configuration, one kept-alive HTTPS connection and the schema,
          fetched once. Creating it sends nothing. http:// is only accepted for loopback hosts
          (such as the simulator): the API key must not cross a network in clear. */
    printf("== 1. create a client for %s%s\n", base_url, use_sandbox ? " (sandbox)" : "");
    if (json_quote(base_url, quoted_url, sizeof quoted_url) != 0 ||
        json_quote(api_key, quoted_key, sizeof quoted_key) != 0) {
        fputs("submit_candidate: ONDERWIJSREGIO_BASE_URL or ONDERWIJSREGIO_API_KEY is too long\n", stderr);
        goto done;
    }
    snprintf(options, sizeof options,
             "{\"baseUrl\": %s, \"apiKey\": %s, \"sandbox\": %s,"
             " \"userAgentSuffix\": \"submit_candidate-example\"}",
             quoted_url, quoted_key, use_sandbox ? "true" : "false");
    status = oreg_client_new(options, &client);
    if (status != OREG_OK) {
        report_failure("oreg_client_new", status);
        goto done;
    }
    printf("  ok\n\n");

    /* 2. The schema is the region's own: it includes the region's custom fields, and it is the
          same one the service validates with. Validation (steps 3 and 4) would fetch it by
          itself; fetching it first shows what it is. OREG_STALE is a success too: the service
          could not be reached and a cached copy was served. */
    printf("== 2. fetch the schema for creating candidates (GET /schema)\n");
    status = oreg_client_schema(client, "create", &schema);
    if (status != OREG_OK && status != OREG_STALE) {
        report_failure("oreg_client_schema", status);
        goto done;
    }
    if (json_member(schema, "$schema", value, sizeof value) == NULL) strcpy(value, "(no $schema)");
    printf("  %zu bytes of JSON Schema, dialect %s%s\n\n", strlen(schema), value,
           status == OREG_STALE ? " (a stale cached copy)" : "");

    /* 3. Validate before submitting: a form can tell its user at once what to correct.
          OREG_OK means valid; OREG_INVALID (positive: the call itself worked) means not valid,
          with a report; anything negative means the check could not be made. */
    printf("== 3. validate a good payload\n");
    status = oreg_client_validate(client, "create", GOOD_PAYLOAD, strlen(GOOD_PAYLOAD), &report);
    if (status == OREG_INVALID) {
        fputs("submit_candidate: the good payload was refused:\n", stderr);
        print_report(report);
        goto done;
    } else if (status != OREG_OK) {
        report_failure("oreg_client_validate (good payload)", status);
        goto done;
    }
    printf("  valid\n\n");

    /* 4. The bad payload must come back OREG_INVALID with a report of every error. */
    printf("== 4. validate a bad payload\n");
    status = oreg_client_validate(client, "create", BAD_PAYLOAD, strlen(BAD_PAYLOAD), &report);
    if (status == OREG_OK) {
        fputs("submit_candidate: the bad payload was accepted, which it should not be\n", stderr);
        goto done;
    } else if (status != OREG_INVALID) {
        report_failure("oreg_client_validate (bad payload)", status);
        goto done;
    }
    printf("  not valid, as expected:\n");
    print_report(report);
    oreg_free(report);
    report = NULL;
    printf("\n");

    /* 5. Submit. POST /candidates takes an array of 1 to 10 candidates, hence the brackets.
          The library validates the body again (nothing is sent when it is invalid), picks an
          idempotency key before the first attempt and sends it with every retry, so the
          candidate is created once however often the network fails. Pass
          {"idempotencyKey": "content"} to also make a form submitted twice count once. */
    printf("== 5. submit the good payload (POST /candidates)\n");
    {
        size_t length = strlen(GOOD_PAYLOAD) + 2;
        char *body = malloc(length + 1);
        if (body == NULL) {
            fputs("submit_candidate: out of memory\n", stderr);
            goto done;
        }
        snprintf(body, length + 1, "[%s]", GOOD_PAYLOAD);

        if (callback_url == NULL) {
            strcpy(submit_options, "{}");
        } else if (json_quote(callback_url, quoted_callback, sizeof quoted_callback) == 0) {
            snprintf(submit_options, sizeof submit_options, "{\"callbackUrl\": %s}", quoted_callback);
        } else {
            fputs("submit_candidate: DEMO_CALLBACK_URL is too long\n", stderr);
            free(body);
            goto done;
        }
        status = oreg_client_submit(client, "candidates.create", NULL, body, length, submit_options,
                                    &result);
        free(body);
    }
    if (status == OREG_INVALID) {
        /* The same check as step 3, so this cannot happen here; a form would show the report. */
        fputs("submit_candidate: the service's schema refused the body:\n", stderr);
        print_report(result);
        goto done;
    } else if (status != OREG_OK) {
        /* oreg_last_error() carries "idempotencyKey" and "retryable": resubmitting with that
           key later can never create the candidate twice. */
        report_failure("oreg_client_submit", status);
        goto done;
    }
    /* Keep the mutation id and the idempotency key: the callback names the same mutation. */
    printf("  queued; the result will be POSTed to %s\n", callback_url ? callback_url : "(no callback URL)");
    if (json_member(result, "mutationId", value, sizeof value)) printf("  mutationId      %s\n", value);
    if (json_member(result, "idempotencyKey", value, sizeof value)) printf("  idempotencyKey  %s\n", value);
    if (json_member(result, "httpStatus", value, sizeof value)) printf("  httpStatus      %s\n", value);
    if (json_member(result, "attempts", value, sizeof value)) printf("  attempts        %s\n", value);
    if (json_member(result, "replayed", value, sizeof value)) printf("  replayed        %s\n", value);
    printf("  full result     %s\n", result);

    exit_code = 0;

done:
    oreg_free(result);
    oreg_free(report);
    oreg_free(schema);
    oreg_client_free(client);
    return exit_code;
}
