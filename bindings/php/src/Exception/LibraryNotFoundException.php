<?php

declare(strict_types=1);

namespace Onderwijsregio\Exception;

/** libonderwijsregio could not be loaded; the message (and $searched) lists every place tried. */
class LibraryNotFoundException extends LibraryException
{
    /** @param list<string> $searched */
    public function __construct(string $message, public readonly array $searched = [])
    {
        parent::__construct($message);
    }
}
