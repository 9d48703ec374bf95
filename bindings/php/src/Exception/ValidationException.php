<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

use Onderwijsregio\ValidationReport;

/**
 * A payload does not satisfy the region's schema (OREG_INVALID): nothing was sent. $report says
 * why; $report->messagesByField() groups the messages for a form.
 */
class ValidationException extends OnderwijsregioException
{
    public function __construct(public readonly ValidationReport $report, string $context = 'the payload')
    {
        $first = $report->errors[0] ?? null;
        $summary = $first === null ? '' : sprintf(': %s %s', $first->instanceLocation === '' ? '(root)' : $first->instanceLocation, $first->message);
        $more = count($report->errors) > 1 ? sprintf(' (and %d more)', count($report->errors) - 1) : '';
        parent::__construct("$context is not valid$summary$more", 1, null, ['status' => 1, 'name' => 'OREG_INVALID']);
    }
}
